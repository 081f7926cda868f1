from rest_framework import serializers

from organization.models import Brand, Dealer


class BrandSerializer(serializers.ModelSerializer):
    class Meta:
        model = Brand
        fields = ["id", "code", "name"]


class DealerSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    brands = BrandSerializer(many=True, read_only=True)

    class Meta:
        model = Dealer
        fields = [
            "id",
            "code",
            "name",
            "region",
            "brands",
            "province",
            "city",
            "address",
            "phone",
            "service_bays",
            "opens_at",
            "closes_at",
            "working_days",
            "is_active",
        ]
