"""Staff: profiles, certificates, training records, assessments and scorecards."""

from django.urls import path

from staff import views

app_name = "staff"
urlpatterns = [
    path("staff/", views.StaffListView.as_view(), name="staff_list"),
    path("staff/new/", views.ProfileCreateView.as_view(), name="profile_create"),
    path("staff/me/", views.MyProfileView.as_view(), name="my_profile"),
    path("staff/training/", views.TrainingReportView.as_view(), name="training_report"),
    path("staff/training/requirement/", views.RequirementSetView.as_view(), name="requirement_set"),
    path("staff/training/courses/new/", views.CourseCreateView.as_view(), name="course_create"),
    path("staff/certificates/", views.CertificateListView.as_view(), name="certificate_list"),
    path("staff/scorecard/", views.ScorecardView.as_view(), name="scorecard"),
    path("staff/scorecard/export.xlsx", views.ScorecardExportView.as_view(), name="scorecard_export"),
    path("staff/assessments/new/", views.AssessmentCreateView.as_view(), name="assessment_create"),
    path("staff/<int:pk>/", views.ProfileDetailView.as_view(), name="profile_detail"),
    path("staff/<int:pk>/edit/", views.ProfileEditView.as_view(), name="profile_edit"),
    path("staff/<int:pk>/skills/", views.SkillSetView.as_view(), name="skill_set"),
    path("staff/<int:pk>/certificates/", views.CertificateAddView.as_view(), name="certificate_add"),
    path("staff/<int:pk>/training/", views.TrainingRecordAddView.as_view(), name="training_record_add"),
]
